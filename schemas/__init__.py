"""The bundled schemas, as plain files other tools can use directly."""
