"""The knowledge base: articles, their translations and the search index over them."""
