"""The one error a kernel author sees: it names the kernel's source line."""
import functools


class KernelError(Exception):
    """Bad kernel or bad input: the message is one line, `file:line: api: what and the limit`."""

    def __init__(self, message, located=False):
        super().__init__(message)
        self.located = located


def api(name):
    """Marks an nki entry point: an unlocated KernelError raised inside it gets the kernel's
    source line and the entry point's name."""
    def wrap(f):
        @functools.wraps(f)
        def entry(*args, **kwargs):
            try:
                return f(*args, **kwargs)
            except KernelError as e:
                if e.located:
                    raise
                from ._trace import call_site
                raise KernelError(f"{call_site()}: {name}: {e}", located=True) from None
        return entry
    return wrap
