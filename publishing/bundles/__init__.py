"""Bundles: building a version's bundle, storing it, serving it from the app's filesystem, purging the CDN."""
