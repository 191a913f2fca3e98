"""reconciler: declarative configuration for InvoiceXpress accounts."""

__version__ = "0.1.0"
