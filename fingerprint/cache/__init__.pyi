# The public names of this subpackage, imported on first use (`__init__.py`).

from ._cache import (
    ENV_VAR as ENV_VAR,
    Cache as Cache,
    CacheStats as CacheStats,
    Entry as Entry,
)
from ._keys import (
    content_key as content_key,
)
from ._size import (
    DEFAULT_MAX_BYTES as DEFAULT_MAX_BYTES,
    MAX_BYTES_VAR as MAX_BYTES_VAR,
    parse_size as parse_size,
)
