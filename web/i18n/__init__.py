"""Languages of the pages and messages: the catalogs (``web/locales``), the request's locale,
Babel formatting filters and the language switch."""
