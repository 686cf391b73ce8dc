"""Collections of films: distances, a 2-D map and nearest films (`Collection`), and
`fingerprint batch`: many films on a Dask cluster (the ``batch`` extra) with their index.

Modules: `_collection`, `_batch` (Dask), `_batch_index` (collection.json and .csv).
"""

import lazy_loader as _lazy

__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
