"""What the in-process door intercepts: POSTs to GAAP's host, over http or https. Everything else
passes through untouched."""

from __future__ import annotations

import re

GAAP_HOST = "gaap.tencentcloudapi.com"

_HOST = re.escape(GAAP_HOST)
# Any path (or none) on GAAP's host, with or without a port.
GAAP_URL = re.compile(rf"^https?://{_HOST}(?::\d+)?(?:[/?#].*)?$", re.IGNORECASE | re.DOTALL)
# Every URL that is not on GAAP's host: these go to the real network.
NOT_GAAP_URL = re.compile(rf"^(?!https?://{_HOST}(?::\d+)?(?:[/?#]|$)).*", re.IGNORECASE | re.DOTALL)
