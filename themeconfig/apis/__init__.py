"""The core app's HTTP doors (thin DRF views over selectors and use cases), one module per aggregate."""
