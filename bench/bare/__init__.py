"""A bare Django project: sessions and auth only, one ``login_required`` page (bench only).

The baseline of "a verified page's own cost" (issue 14): the same gunicorn, the same worker
class and shape, the same kind of database connected the same way, the same session engine,
a page of about the dashboard's size. It lives under bench/ so it never ships in the product.
"""
