# The public names of this subpackage, imported on first use (`__init__.py`).

from ._batch import (
    BatchSummary as BatchSummary,
)
from ._batch import (
    find_films as find_films,
)
from ._batch import (
    process_film as process_film,
)
from ._batch import (
    run_batch as run_batch,
)
from ._batch_index import (
    BatchIndex as BatchIndex,
)
from ._batch_index import (
    FilmOutcome as FilmOutcome,
)
from ._collection import (
    SORT_KEYS as SORT_KEYS,
)
from ._collection import (
    Collection as Collection,
)
from ._collection import (
    Film as Film,
)
from ._collection import (
    distance_matrix as distance_matrix,
)
from ._collection import (
    distance_row as distance_row,
)
from ._collection import (
    film_distance as film_distance,
)
from ._collection import (
    from_cache as from_cache,
)
from ._collection import (
    from_fingerprints as from_fingerprints,
)
from ._collection import (
    index_json as index_json,
)
from ._collection import (
    load_batch as load_batch,
)
from ._collection import (
    map_2d as map_2d,
)
from ._collection import (
    matrix_csv as matrix_csv,
)
from ._collection import (
    nearest as nearest,
)
from ._collection import (
    palette_map as palette_map,
)
from ._index import (
    MomentIndex as MomentIndex,
)
from ._index import (
    read_index as read_index,
)
from ._listing import (
    BatchListing as BatchListing,
)
from ._listing import (
    list_batch as list_batch,
)
from ._search import (
    ColorHit as ColorHit,
)
from ._search import (
    ColorMatch as ColorMatch,
)
from ._search import (
    FilmMatch as FilmMatch,
)
from ._search import (
    MomentMatch as MomentMatch,
)
from ._search import (
    SearchIndex as SearchIndex,
)
from ._search import (
    open_search as open_search,
)
from ._search import (
    search_colors as search_colors,
)
from ._search import (
    similar_films as similar_films,
)
from ._search import (
    similar_moments as similar_moments,
)
