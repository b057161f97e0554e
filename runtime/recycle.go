package runtime

import "sync"

// recycler keeps values of T for the next request. A value comes back
// zeroed, so the pool holds nothing of the request it served.
type recycler[T any] struct {
	pool sync.Pool
}

func (r *recycler[T]) get() *T {
	if v, _ := r.pool.Get().(*T); v != nil {
		return v
	}
	return new(T)
}

func (r *recycler[T]) put(v *T) {
	var zero T
	*v = zero
	r.pool.Put(v)
}
