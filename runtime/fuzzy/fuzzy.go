// Package fuzzy scores names against each other for PostgREST's "Perhaps
// you meant" hints and PostgreSQL's column hints.
package fuzzy

import "strings"

// Closest is the candidate most like s, scored as the fuzzyset library
// PostgREST uses for its "Perhaps you meant" hints scores: 1 - Levenshtein
// distance / the longer length, case folded. ok is false when no candidate
// scores minScore. Of equal scores the alphabetically first wins, so the
// order of candidates (a map's, say) does not change the answer.
func Closest(s string, candidates []string, minScore float64) (best string, ok bool) {
	bestScore := -1.0
	ls := strings.ToLower(s)
	for _, c := range candidates {
		lc := strings.ToLower(c)
		longer := max(len([]rune(ls)), len([]rune(lc)), 1)
		score := 1 - float64(Levenshtein(ls, lc))/float64(longer)
		if score > bestScore || score == bestScore && c < best {
			best, bestScore = c, score
		}
	}
	return best, best != "" && bestScore >= minScore
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
