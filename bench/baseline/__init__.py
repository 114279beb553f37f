"""A bare Django + django-ninja app doing the same work as Lagniappe's conversation create.

It is the floor the product is measured against: same server, same database settings, the
same five inserts in one transaction, none of the product's layers.
"""
