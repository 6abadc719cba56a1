"""Status codes, trap kinds and the exceptions that carry them.

Every failure of the C libraries becomes an exception of a subclass of
:class:`Error`, chosen by the ``wasmgraph_status``. Each one also derives from
the built-in exception a Python caller would expect (a bad array is a
``ValueError``, a missing file an ``OSError``, ...), so either kind of
``except`` clause catches it.
"""

import enum


class Status(enum.IntEnum):
    """wasmgraph_status (include/wasmgraph.h)."""

    OK = 0
    INVALID_ARGUMENT = 1
    NO_MEMORY = 2
    FORMAT = 3
    NOT_FOUND = 4
    SHAPE_MISMATCH = 5
    DTYPE_MISMATCH = 6
    TRAP = 7
    KERNEL = 8
    IO = 9
    ABI = 10
    UNSUPPORTED = 11


class TrapKind(enum.IntEnum):
    """wasmgraph_trap_kind: why guest code stopped."""

    NONE = 0
    OUT_OF_BOUNDS = 1
    INTEGER_OVERFLOW = 2
    DIVIDE_BY_ZERO = 3
    INVALID_CONVERSION = 4
    UNREACHABLE = 5
    INDIRECT_CALL = 6
    STACK_EXHAUSTED = 7
    OTHER = 8


class Error(Exception):
    """A wasmgraph call failed.

    Attributes:
        status: the :class:`Status`.
        trap: the :class:`TrapKind` of a failed run (``TrapKind.NONE`` otherwise).
        message: the library's one-line message; it names the file, input,
            node or kernel concerned.
    """

    status = Status.INVALID_ARGUMENT

    def __init__(self, message, status=None, trap=TrapKind.NONE):
        if status is not None:
            self.status = Status(status)
        self.trap = TrapKind(trap)
        self.message = message
        super().__init__(message)

    def __str__(self):
        return self.message

    def __reduce__(self):
        return (_rebuild, (type(self), self.message, int(self.status), int(self.trap)))


def _rebuild(cls, message, status, trap):
    return cls(message, status, trap)


class InvalidArgumentError(Error, ValueError):
    status = Status.INVALID_ARGUMENT


class NoMemoryError(Error, MemoryError):
    status = Status.NO_MEMORY


class FormatError(Error, ValueError):
    status = Status.FORMAT


class NotFoundError(Error, LookupError):
    status = Status.NOT_FOUND


class ShapeMismatchError(Error, ValueError):
    status = Status.SHAPE_MISMATCH


class DtypeMismatchError(Error, TypeError):
    status = Status.DTYPE_MISMATCH


class TrapError(Error, RuntimeError):
    """The guest trapped; ``trap`` says why. The executor stays usable."""

    status = Status.TRAP


class KernelError(Error, RuntimeError):
    status = Status.KERNEL


class FileError(Error, OSError):
    """WASMGRAPH_ERR_IO: a file could not be read or written, or a tool failed."""

    status = Status.IO


class AbiError(Error, RuntimeError):
    status = Status.ABI


class UnsupportedError(Error, NotImplementedError):
    status = Status.UNSUPPORTED


_BY_STATUS = {cls.status: cls for cls in (
    InvalidArgumentError, NoMemoryError, FormatError, NotFoundError, ShapeMismatchError,
    DtypeMismatchError, TrapError, KernelError, FileError, AbiError, UnsupportedError)}


def error_for(status, message, trap=TrapKind.NONE):
    """The exception for a nonzero wasmgraph_status."""
    try:
        status = Status(status)
    except ValueError:  # a newer library's status: still an Error
        return Error(f"{message} (status {status})")
    return _BY_STATUS.get(status, Error)(message, status, trap)
