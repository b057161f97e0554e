package runtime

import "strings"

// closest is the candidate most like s, scored as the fuzzyset library
// PostgREST uses for its "Perhaps you meant" hints scores: 1 - Levenshtein
// distance / the longer length, case folded. ok is false when no candidate
// scores minScore. Of equal scores the alphabetically first wins, so the
// order of candidates (a map's, say) does not change the answer.
func closest(s string, candidates []string, minScore float64) (best string, ok bool) {
	bestScore := -1.0
	ls := strings.ToLower(s)
	for _, c := range candidates {
		lc := strings.ToLower(c)
		longer := max(len([]rune(ls)), len([]rune(lc)), 1)
		score := 1 - float64(levenshtein(ls, lc))/float64(longer)
		if score > bestScore || score == bestScore && c < best {
			best, bestScore = c, score
		}
	}
	return best, best != "" && bestScore >= minScore
}
