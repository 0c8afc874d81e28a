"""GhostyoloError: every failure of the binding, with the library's status and message."""

# gy_status values (include/ghostyolo.h)
OK, ERR_ARGUMENT, ERR_IO, ERR_FORMAT, ERR_MISMATCH, ERR_UNSUPPORTED, ERR_NOMEM, ERR_STATE = range(8)


class GhostyoloError(Exception):
    """A failed library call (or an argument the binding refused before calling it).

    status: the gy_status number (GY_ERR_IO = 2, ...; -1 when the library itself cannot be
    loaded); status_name: the library's short description ("i/o error", ...); message: the
    library's message, which names the file and the problem."""

    def __init__(self, message, status=ERR_ARGUMENT, status_name="bad argument"):
        super().__init__(message)
        self.message = message
        self.status = status
        self.status_name = status_name

    def __str__(self):
        return f"{self.message} [{self.status_name}]"


def check(lib, ffi, status, err):
    """Raises GhostyoloError for a non-OK status, with err's message."""
    if status != OK:
        raise GhostyoloError(ffi.string(err.message).decode("utf-8", "replace"), int(status),
                             ffi.string(lib.gy_status_str(status)).decode())


def argument_error(message):
    return GhostyoloError(message, ERR_ARGUMENT, "bad argument")
