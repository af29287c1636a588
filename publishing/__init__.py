"""Publishing: publications, publish/rollback jobs, bundles, storage, outbox, read models."""
