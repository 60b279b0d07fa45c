"""SCF entry point: configure the handler as ``index.main_handler`` (AWS Lambda: ``index.lambda_handler``)."""

from gaap_opener.app import main_handler

lambda_handler = main_handler

__all__ = ["lambda_handler", "main_handler"]
