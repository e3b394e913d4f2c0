"""HTTP resources: views translate, domain modules decide, errors are mapped once."""
