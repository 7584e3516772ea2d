"""backprop-tutor: an offline terminal tutor for backpropagation."""

__version__ = "0.1.0"
