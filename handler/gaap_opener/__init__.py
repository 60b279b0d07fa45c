"""gaap-opener: open Tencent Cloud GAAP proxies from timers, alarms and HTTP calls, safely repeatable.

The entry point is :func:`gaap_opener.app.main_handler`; ``index.py`` re-exports it for SCF.
Import cost matters on a cold start, so this package imports nothing at load time.
"""

__version__ = "0.1.0"
RESULT_SCHEMA = "gaap-opener/result/v1"
