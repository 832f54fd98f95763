"""What every feature stands on: configuration, the database, errors, logs, languages,
routing, shared schema fields, uploads. Nothing here knows a feature."""
