"""`kerlint lsp`: editor diagnostics over the Language Server Protocol (needs the `lsp` extra: pygls)."""
