"""GAAP's own errors: what the service answers as {"Response": {"Error": {"Code", "Message"}}}."""

from __future__ import annotations


class GaapError(Exception):
    """An error GAAP answers with HTTP 200 and an error body; `code` is GAAP's code, verbatim."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def missing_parameter(name: str) -> GaapError:
    return GaapError("MissingParameter", f"The request is missing a required parameter `{name}`.")


def invalid_parameter(name: str, why: str) -> GaapError:
    return GaapError("InvalidParameter", f"The parameter `{name}` is not valid: {why}.")


def invalid_parameter_value(name: str, why: str) -> GaapError:
    return GaapError("InvalidParameterValue", f"The value of parameter `{name}` is not valid: {why}.")


def unknown_parameter(name: str) -> GaapError:
    return GaapError("UnknownParameter", f"The parameter `{name}` is not recognized.")


def resource_not_found(proxy_ids: list[str]) -> GaapError:
    return GaapError("ResourceNotFound", "The proxy does not exist: " + ", ".join(proxy_ids) + ".")


def duplicated_request(client_token: str) -> GaapError:
    return GaapError(
        "FailedOperation.DuplicatedRequest",
        f"The request with ClientToken `{client_token}` has already been accepted.",
    )


def request_limit_exceeded(limit: int) -> GaapError:
    return GaapError(
        "RequestLimitExceeded",
        f"Your request frequency has exceeded the limit of {limit} requests per second.",
    )


def invalid_action(action: str) -> GaapError:
    return GaapError("InvalidAction", f"The requested action `{action}` does not exist.")


def auth_failure(kind: str, message: str) -> GaapError:
    """An `AuthFailure.<kind>` error; messages never carry a key, a token or a signature."""
    return GaapError(f"AuthFailure.{kind}", message)
