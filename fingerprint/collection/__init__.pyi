# The public names of this subpackage, imported on first use (`__init__.py`).

from ._batch import (
    BatchSummary as BatchSummary,
    find_films as find_films,
    process_film as process_film,
    run_batch as run_batch,
)
from ._batch_index import (
    BatchIndex as BatchIndex,
    FilmOutcome as FilmOutcome,
)
from ._collection import (
    SORT_KEYS as SORT_KEYS,
    Collection as Collection,
    Film as Film,
    distance_matrix as distance_matrix,
    distance_row as distance_row,
    film_distance as film_distance,
    from_cache as from_cache,
    from_fingerprints as from_fingerprints,
    index_json as index_json,
    load_batch as load_batch,
    map_2d as map_2d,
    matrix_csv as matrix_csv,
    nearest as nearest,
    palette_map as palette_map,
)
from ._index import (
    MomentIndex as MomentIndex,
    read_index as read_index,
)
from ._listing import (
    BatchListing as BatchListing,
    list_batch as list_batch,
)
from ._search import (
    ColorHit as ColorHit,
    ColorMatch as ColorMatch,
    FilmMatch as FilmMatch,
    MomentMatch as MomentMatch,
    SearchIndex as SearchIndex,
    open_search as open_search,
    search_colors as search_colors,
    similar_films as similar_films,
    similar_moments as similar_moments,
)
