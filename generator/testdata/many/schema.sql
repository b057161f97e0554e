-- 520 related tables: generation time and size must stay reasonable.
DO $$
BEGIN
  FOR i IN 1..520 LOOP
    EXECUTE format(
      'CREATE TABLE %I (id bigint PRIMARY KEY, name text NOT NULL, parent_id bigint %s, created_at timestamptz DEFAULT now())',
      'table_' || lpad(i::text, 3, '0'),
      CASE WHEN i > 1 THEN format('REFERENCES %I (id)', 'table_' || lpad((i - 1)::text, 3, '0')) ELSE '' END);
  END LOOP;
END
$$;
