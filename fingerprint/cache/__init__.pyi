# The public names of this subpackage, imported on first use (`__init__.py`).

from ._cache import (
    ENV_VAR as ENV_VAR,
)
from ._cache import (
    Cache as Cache,
)
from ._cache import (
    CacheStats as CacheStats,
)
from ._cache import (
    Entry as Entry,
)
from ._keys import (
    content_key as content_key,
)
from ._size import (
    DEFAULT_MAX_BYTES as DEFAULT_MAX_BYTES,
)
from ._size import (
    MAX_BYTES_VAR as MAX_BYTES_VAR,
)
from ._size import (
    parse_size as parse_size,
)
