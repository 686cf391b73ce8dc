"""Collections of films: distances, a 2-D map and nearest films (`Collection`),
`fingerprint batch`: many films on a Dask cluster (the ``batch`` extra) with their index,
and searching them: by colour, films and moments like one (`open_search`).

Modules: `_collection`, `_batch` (Dask), `_batch_index` (collection.json and .csv),
`_index` and `_index_writer` (the search index, Parquet), `_listing` (a batch's films
from it, for a page), `_neighbours` (the neighbour indexes cached beside it), `_scoring`
(the colour search's engine), `_search`.
"""

import lazy_loader as _lazy

__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
