"""Where in the kernel's Python a call into trn2sim comes from: the line for messages and
the trace, the call expression for telling tile declarations apart."""
import os
import sys

from ._errors import KernelError

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def in_package(filename):
    return os.path.abspath(filename).startswith(_PACKAGE_DIR)


def _kernel_frame():
    """The innermost frame outside this package: the kernel's line calling into trn2sim."""
    frame = sys._getframe(1)
    while frame is not None and in_package(frame.f_code.co_filename):
        frame = frame.f_back
    return frame


def call_site():
    """The kernel's source line calling into trn2sim: `path:line` (path relative to the
    working directory when under it)."""
    frame = _kernel_frame()
    return frame_site(frame) if frame is not None else "<unknown>:0"


def frame_site(frame):
    """`path:line` of a frame (path relative to the working directory when under it)."""
    path = frame.f_code.co_filename
    try:
        rel = os.path.relpath(path)
        path = rel if not rel.startswith("..") else path
    except ValueError:
        pass
    return f"{path}:{frame.f_lineno}"


def declaration_key():
    """What tells two tile declarations apart: the code and the bytecode offset of the call,
    so that two tiles made on one line (`nl.add(nl.load(a), nl.load(b))`) get pools of
    their own, and one made in a loop gets the same pool every iteration."""
    frame = _kernel_frame()
    return (id(frame.f_code), frame.f_lasti) if frame is not None else None


def call_column():
    """The column of the kernel's call (1-based; 0 where Python does not say)."""
    frame = _kernel_frame()
    if frame is None or not hasattr(frame.f_code, "co_positions"):
        return 0
    for i, position in enumerate(frame.f_code.co_positions()):
        if 2 * i == frame.f_lasti:
            return (position[2] or -1) + 1
    return 0


def fail(api, message):
    """A KernelError at the kernel's line: `file:line: api: message`."""
    raise KernelError(f"{call_site()}: {api}: {message}", located=True)
