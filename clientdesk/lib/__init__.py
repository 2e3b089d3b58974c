"""Pure helpers with no models: the business calendar and periods."""
