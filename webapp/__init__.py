"""The Streamlit app's own code, beside `pages/` (which holds only pages).

Pure modules, importable and testable without Streamlit: `settings` (what a view is made
of, with its limits), `links` (settings to and from a share link's query), `selection`
(which sample a chart click or a link's time names), `films` (demo films, the movies
folder and its path checks, upload names), `swatches` (a palette as HTML), `jobs` (the
server's analyses: a queue, shared by sessions, cancelled when abandoned, weighed by
memory), `budget` (the server's memory: what analyses cost, uploads in flight),
`receiving` (uploads streamed to the cache folder, in front of Streamlit's upload route),
`messages` (what a visitor reads when something fails: no server path, text not Markdown),
`library_films` (the library's films, their state with the settings, and what the
Collection page says of them), `collection_view` (the Collection's order and options),
`alignment_view` (which view of two films' alignment the Compare page shows first),
`seeding` (the demo films' results at the default settings and every k, shipped in
demo/results/ and handed to the cache on a miss), `preview` (the strip as a picture until
the browser has drawn its chart).

Streamlit modules: `routing` (the pages and the router), `server` (this server's cache,
demo films, movies folder, memory budget, analysis queue and upload receiver), `state`
(the session's settings, kept in the URL), `sidebar` (the analysis controls), `chooser`
(the film chooser: demos, uploads, movies folder, library), `analysis` (fingerprints with
a progress bar, frames, figures), `library` (the Collection page's films, a batch
folder's or the library's, the latter fingerprinted through the queue when they lack a
fingerprint with the settings), `warmup` (the landing page's first run, prepared when the
server starts).
"""
