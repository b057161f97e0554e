INSERT INTO authors (id, name, born, country) VALUES
  (1, 'Ursula K. Le Guin', '1929-10-21', 'US'),
  (2, 'Stanisław Lem', '1921-09-12', 'PL'),
  (3, 'Octavia E. Butler', '1947-06-22', 'US');
SELECT setval(pg_get_serial_sequence('authors', 'id'), 3);

INSERT INTO books (id, title, author_id, published, format, price, tags, details) VALUES
  (1, 'The Left Hand of Darkness', 1, 1969, 'paperback', 12.50, '{classic,sf}', '{"pages": 304}'),
  (2, 'The Dispossessed', 1, 1974, 'hardcover', 24.00, '{classic,sf,utopia}', '{"pages": 387}'),
  (3, 'Solaris', 2, 1961, 'paperback', 11.99, '{sf}', '{"pages": 204, "translated": true}'),
  (4, 'The Cyberiad', 2, 1965, 'ebook', 6.99, '{humour,sf}', NULL),
  (5, 'Kindred', 3, 1979, 'paperback', 14.25, '{classic}', '{"pages": 264}');
SELECT setval(pg_get_serial_sequence('books', 'id'), 5);

INSERT INTO genres (id, name) VALUES (1, 'science fiction'), (2, 'fantasy'), (3, 'satire');
SELECT setval(pg_get_serial_sequence('genres', 'id'), 3);

INSERT INTO book_genres (book_id, genre_id) VALUES (1, 1), (2, 1), (3, 1), (4, 1), (4, 3), (5, 2);

INSERT INTO members (id, email, joined_at) VALUES
  (1, 'ada@example.com', '2024-01-15 10:00:00+00'),
  (2, 'grace@example.com', '2024-03-02 16:30:00+00');
SELECT setval(pg_get_serial_sequence('members', 'id'), 2);

INSERT INTO reviews (id, book_id, member_id, stars, body) VALUES
  (1, 1, 1, 5, 'Changed how I read.'),
  (2, 3, 2, 4, NULL),
  (3, 3, 1, 5, 'The ocean!');
SELECT setval(pg_get_serial_sequence('reviews', 'id'), 3);
