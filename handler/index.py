"""SCF entry point: configure the handler as ``index.main_handler`` (AWS Lambda: ``index.lambda_handler``)."""

import os
import sys

# SCF unzips layers into /opt, which is on PYTHONPATH; some of its docs put packages under
# /opt/python instead. Accept both, so a layer built either way works.
if os.path.isdir("/opt/python") and "/opt/python" not in sys.path:
    sys.path.append("/opt/python")

from gaap_opener.app import main_handler  # after the path fix above

lambda_handler = main_handler

__all__ = ["lambda_handler", "main_handler"]
