// Package fuzzy scores names against each other for PostgREST's "Perhaps
// you meant" hints and PostgreSQL's column hints.
package fuzzy

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"unicode"
)

// Scores PostgREST passes to the fuzzyset library (Error.hs): 0.75
// (getOneWithMinScore) for table and function names, whose hints must not
// reveal names that are merely alike; 0.33, the library's default (getOne,
// get), for relationships and parameter lists.
const (
	NameScore    = 0.75
	DefaultScore = 0.33
)

// maxCandidates is how many of the best n-gram matches fuzzyset scores
// again by edit distance.
const maxCandidates = 50

// Match is one candidate and its score.
type Match struct {
	Score float64
	Value string
}

// Get is what fuzzyset 0.2 (the version PostgREST builds with) answers for
// s among candidates with its default set (gram sizes 2 to 3, Levenshtein
// on): a candidate equal to s but for case alone, with score 1; else, trying
// gram sizes 3 then 2 and keeping the first size that answers, the
// candidates sharing an n-gram with s (of the names case folded, stripped to
// letters, digits, spaces and commas and enclosed in '-'), the 50 closest
// by the n-grams' cosine, scored 1 - Levenshtein distance / the longer
// length of the case-folded names, those scoring at least minScore, best
// first.
//
// Where fuzzyset orders equal scores by its hash map, Get orders them by
// the n-gram cosine, then alphabetically, so the order of candidates does
// not change the answer.
func Get(s string, candidates []string, minScore float64) []Match {
	key := strings.ToLower(s)
	names := slices.Clone(candidates)
	slices.Sort(names)
	names = slices.Compact(names)
	for _, c := range names {
		if strings.ToLower(c) == key {
			return []Match{{Score: 1, Value: c}}
		}
	}
	for size := 3; size >= 2; size-- {
		if ms := matches(key, names, size, minScore); len(ms) > 0 {
			return ms
		}
	}
	return nil
}

// GetOne is the best of Get (fuzzyset's getOneWithMinScore; getOne is
// minScore DefaultScore).
func GetOne(s string, candidates []string, minScore float64) (string, bool) {
	ms := Get(s, candidates, minScore)
	if len(ms) == 0 {
		return "", false
	}
	return ms[0].Value, true
}

// matches is fuzzyset's getMatches for one gram size.
func matches(key string, names []string, size int, minScore float64) []Match {
	q := grams(key, size)
	qNorm := norm(q)
	type cand struct {
		name   string
		cosine float64
		score  float64
	}
	var cs []cand
	for _, n := range names {
		g := grams(strings.ToLower(n), size)
		dot := 0
		for gram, count := range q {
			dot += count * g[gram]
		}
		if dot == 0 {
			continue
		}
		cs = append(cs, cand{name: n, cosine: float64(dot) / (qNorm * norm(g))})
	}
	slices.SortStableFunc(cs, func(a, b cand) int { return cmp.Compare(b.cosine, a.cosine) })
	cs = cs[:min(len(cs), maxCandidates)]
	for i := range cs {
		cs[i].score = levenshteinNorm(key, strings.ToLower(cs[i].name))
	}
	slices.SortStableFunc(cs, func(a, b cand) int { return cmp.Compare(b.score, a.score) })
	var out []Match
	for _, c := range cs {
		if c.score >= minScore {
			out = append(out, Match{Score: c.score, Value: c.name})
		}
	}
	return out
}

// grams counts the n-grams of s case folded, stripped to letters, digits,
// spaces and commas, and enclosed in '-'.
func grams(s string, size int) map[string]int {
	rs := []rune{'-'}
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsNumber(r) || isSpace(r) || r == ',' {
			rs = append(rs, r)
		}
	}
	rs = append(rs, '-')
	g := make(map[string]int)
	for i := 0; i+size <= len(rs); i++ {
		g[string(rs[i:i+size])]++
	}
	return g
}

// isSpace is Haskell's Data.Char.isSpace: the ASCII white space, no-break
// space and the Unicode space separators.
func isSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\r', '\f', '\v', '\u00a0':
		return true
	}
	return unicode.Is(unicode.Zs, r)
}

// norm is the Euclidean length of a gram count vector.
func norm(g map[string]int) float64 {
	sum := 0
	for _, c := range g {
		sum += c * c
	}
	return math.Sqrt(float64(sum))
}

// levenshteinNorm is text-metrics' levenshteinNorm: 1 - distance / the
// longer length in characters, 1 for two empty strings, computed as the
// one exact ratio it is.
func levenshteinNorm(a, b string) float64 {
	longer := max(len([]rune(a)), len([]rune(b)))
	if longer == 0 {
		return 1
	}
	return float64(longer-Levenshtein(a, b)) / float64(longer)
}

// Levenshtein is the edit distance between a and b, in runes.
func Levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
