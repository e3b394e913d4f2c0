"""Pure rules and refusals: no database, no Flask, no Kafka."""
