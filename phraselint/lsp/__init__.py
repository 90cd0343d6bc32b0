"""``phraselint lsp``: the language server for editors (diagnostics as you type, rewrites as quick fixes)."""
