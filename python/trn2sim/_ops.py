"""The math operators of nki.language (nl.add, nl.exp, ...): each names an ALU op and/or an
activation function of trn2sim's ISA, and is also the elementwise function of that name."""
from ._errors import KernelError


class Op:
    def __init__(self, name, alu=None, act=None, reduce=None, function=None):
        self.name, self.alu, self.act, self.reduce = name, alu, act, reduce
        self.function = function  # set by nki.language: nl.add(x, y), nl.exp(x), ...

    def __call__(self, *args, **kwargs):
        return self.function(*args, **kwargs)

    def __repr__(self):
        return f"nl.{self.name}"


# name: (ALU op, activation function, reduction)
TABLE = {
    "add": ("add", None, "add"), "subtract": ("subtract", None, None), "multiply": ("multiply", None, "multiply"),
    "maximum": ("max", None, "max"), "minimum": ("min", None, "min"), "max": ("max", None, "max"),
    "min": ("min", None, "min"), "divide": ("divide", None, None), "power": ("pow", None, None),
    "equal": ("is_equal", None, None), "greater": ("is_gt", None, None), "greater_equal": ("is_ge", None, None),
    "less": ("is_lt", None, None), "less_equal": ("is_le", None, None), "sum": (None, None, "add"),
    "copy": (None, "identity", None), "exp": (None, "exp", None), "tanh": (None, "tanh", None),
    "sigmoid": (None, "sigmoid", None), "silu": (None, "silu", None), "gelu": (None, "gelu", None),
    "rsqrt": (None, "rsqrt", None), "sqrt": (None, "sqrt", None), "square": (None, "square", None),
    "relu": (None, "relu", None),
}
OPS = {name: Op(name, *row) for name, row in TABLE.items()}
# numpy's functions, which some kernels pass as ops.
_NUMPY = {"add": "add", "subtract": "subtract", "multiply": "multiply", "maximum": "maximum", "minimum": "minimum",
          "divide": "divide", "true_divide": "divide", "power": "power", "equal": "equal", "greater": "greater",
          "greater_equal": "greater_equal", "less": "less", "less_equal": "less_equal", "exp": "exp",
          "tanh": "tanh", "sqrt": "sqrt", "square": "square", "max": "max", "amax": "max", "min": "min",
          "amin": "min", "sum": "sum"}


def as_op(op, api):
    if isinstance(op, Op):
        return op
    name = getattr(op, "__name__", None)
    if name in _NUMPY:
        return OPS[_NUMPY[name]]
    if isinstance(op, str) and op in OPS:
        return OPS[op]
    raise KernelError(f"op {op!r} is not one trn2sim models ({', '.join(OPS)})")


def alu_of(op, api):
    op = as_op(op, api)
    if op.alu is None:
        raise KernelError(f"{op!r} is not an ALU operator")
    return op.alu


def act_of(op, api):
    op = as_op(op, api)
    if op.act is None:
        raise KernelError(f"{op!r} is not an activation function (exp, tanh, sigmoid, ...)")
    return op.act
