"""What `manage.py seed_demo` puts in the demo theme: the theme and its locale packs."""
