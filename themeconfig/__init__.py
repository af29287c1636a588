"""theme-config core: tenancy, ids, errors, API base, themes, versions and their children."""
