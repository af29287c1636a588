"""Platform plumbing every app uses: tenant context, middleware, ids, errors, API base, bootstrap, RLS audit."""
