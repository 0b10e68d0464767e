"""A generic HTTP SMS gateway: the merchant configures URL, auth header and JSON body."""
