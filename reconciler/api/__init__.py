"""The InvoiceXpress API: the HTTP client (policy: retries, rate limit, error mapping) over a
transport that does the I/O, and the read side of a live account."""
