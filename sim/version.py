"""The package version: one source, ``[project] version`` in pyproject.toml, read from the installed metadata."""
from importlib import metadata

__version__ = metadata.version("contactsim")
