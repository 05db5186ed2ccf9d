package solver

import "math"

// unreached is the distance of a node Dijkstra has not reached.
const unreached = math.MaxInt64

// network is a residual graph in compressed sparse row form: the arcs leaving
// node v are first[v] up to first[v+1]. Flat int32 arrays keep the
// shortest-path loop, which is nearly all of the solver's time, free of
// pointers and allocations.
type network struct {
	first []int32
	head  []int32 // the node an arc enters
	pair  []int32 // the arc in the opposite direction
	resid []int32 // residual capacity
	cost  []int64
}

type arcSpec struct {
	from, to, capa int32
	cost           int64
}

// builder collects arcs in any order before they are laid out as a network.
type builder struct {
	n    int32
	arcs []arcSpec
}

// add records an arc and returns its number, which build maps to its index
// in the network.
func (b *builder) add(from, to, capa int32, cost int64) int32 {
	b.arcs = append(b.arcs, arcSpec{from, to, capa, cost})
	return int32(len(b.arcs) - 1)
}

// build lays the arcs and their reverse arcs out in CSR form and returns,
// for each added arc, its index in the network.
func (b *builder) build() (*network, []int32) {
	n := b.n
	first := make([]int32, n+1)
	for _, a := range b.arcs {
		first[a.from+1]++
		first[a.to+1]++
	}
	for v := range n {
		first[v+1] += first[v]
	}
	m := 2 * len(b.arcs)
	g := &network{
		first: first,
		head:  make([]int32, m),
		pair:  make([]int32, m),
		resid: make([]int32, m),
		cost:  make([]int64, m),
	}
	next := make([]int32, n)
	copy(next, first[:n])
	where := make([]int32, len(b.arcs))
	for i, a := range b.arcs {
		f := next[a.from]
		next[a.from]++
		r := next[a.to]
		next[a.to]++
		g.head[f], g.pair[f], g.resid[f], g.cost[f] = a.to, r, a.capa, a.cost
		g.head[r], g.pair[r], g.resid[r], g.cost[r] = a.from, f, 0, -a.cost
		where[i] = f
	}
	return g, where
}

// minCostMaxFlow sends flow from s to t along cheapest residual paths,
// one unit at a time, until no path is left. Every intermediate flow is
// then the cheapest of its value, so the last is the cheapest maximum flow.
// All costs are non-negative, so zero potentials are feasible to start with.
//
// A shortest-path search is the costly part, and many augmenting paths
// share its length (costs come from few values): after each search every
// path of reduced cost zero is a cheapest one, so depth-first searches over
// those arcs push as much flow as they find before the next search (the
// primal-dual method). Each push is still along a cheapest path.
func (g *network) minCostMaxFlow(s, t int32) (flow int, cost int64) {
	d := newDijkstra(g)
	n := len(g.first) - 1
	next := make([]int32, n) // each node's first arc not yet found useless this round
	seen := make([]bool, n)
	push := func(a int32) {
		g.resid[a]--
		g.resid[g.pair[a]]++
		cost += g.cost[a]
	}
	var dfs func(u int32) bool
	dfs = func(u int32) bool {
		if u == t {
			return true
		}
		seen[u] = true
		pu := d.pot[u]
		for ; next[u] < g.first[u+1]; next[u]++ {
			a := next[u]
			v := g.head[a]
			if g.resid[a] == 0 || seen[v] || g.cost[a]+pu != d.pot[v] {
				continue
			}
			if dfs(v) {
				push(a)
				return true
			}
		}
		return false
	}
	for d.run(s, t) {
		// The path the search found is a cheapest one.
		for v := t; v != s; {
			a := d.via[v]
			push(a)
			v = g.head[g.pair[a]]
		}
		flow++
		copy(next, g.first[:n])
		for {
			clear(seen)
			if !dfs(s) {
				break
			}
			flow++
		}
	}
	return flow, cost
}

// dijkstra holds the state of the shortest-path searches over one network,
// allocated once and reused by every search.
type dijkstra struct {
	g    *network
	pot  []int64 // Johnson potentials: reduced costs stay non-negative
	dist []int64 // reduced distance from the source
	via  []int32 // the arc by which a node was reached
	done []bool
	heap []int32 // binary min-heap of nodes by (dist, node)
	pos  []int32 // a node's index in heap, or -1
}

func newDijkstra(g *network) *dijkstra {
	n := len(g.first) - 1
	d := &dijkstra{
		g:    g,
		pot:  make([]int64, n),
		dist: make([]int64, n),
		via:  make([]int32, n),
		done: make([]bool, n),
		heap: make([]int32, 0, n),
		pos:  make([]int32, n),
	}
	return d
}

// run finds a cheapest residual path from s to t, leaving it in via, and
// updates the potentials; it reports whether t was reached.
//
// The search stops as soon as t is settled. Nodes settled by then get their
// distance added to the potential, the others the distance of t: that keeps
// every residual reduced cost non-negative, while sparing a full search each
// time the path is short.
func (d *dijkstra) run(s, t int32) bool {
	g := d.g
	for v := range d.dist {
		d.dist[v] = unreached
		d.done[v] = false
		d.pos[v] = -1
	}
	d.heap = d.heap[:0]
	d.dist[s] = 0
	d.push(s)
	for len(d.heap) > 0 {
		u := d.pop()
		d.done[u] = true
		if u == t {
			break
		}
		du, pu := d.dist[u], d.pot[u]
		for a := g.first[u]; a < g.first[u+1]; a++ {
			if g.resid[a] == 0 {
				continue
			}
			v := g.head[a]
			if d.done[v] {
				continue
			}
			nd := du + g.cost[a] + pu - d.pot[v]
			if nd < d.dist[v] {
				d.dist[v] = nd
				d.via[v] = a
				if d.pos[v] < 0 {
					d.push(v)
				} else {
					d.up(d.pos[v])
				}
			}
		}
	}
	if !d.done[t] {
		return false
	}
	dt := d.dist[t]
	for v, done := range d.done {
		if done {
			d.pot[v] += d.dist[v]
		} else {
			d.pot[v] += dt
		}
	}
	return true
}

// less orders the heap by distance, then node number, so that the search,
// and with it the draft, never depends on anything but the Problem.
func (d *dijkstra) less(a, b int32) bool {
	da, db := d.dist[a], d.dist[b]
	return da < db || da == db && a < b
}

func (d *dijkstra) push(v int32) {
	d.heap = append(d.heap, v)
	i := int32(len(d.heap) - 1)
	d.pos[v] = i
	d.up(i)
}

func (d *dijkstra) pop() int32 {
	h := d.heap
	top := h[0]
	last := int32(len(h) - 1)
	h[0] = h[last]
	d.pos[h[0]] = 0
	d.heap = h[:last]
	d.pos[top] = -1
	if last > 0 {
		d.down(0)
	}
	return top
}

func (d *dijkstra) up(i int32) {
	h := d.heap
	v := h[i]
	for i > 0 {
		parent := (i - 1) / 2
		if !d.less(v, h[parent]) {
			break
		}
		h[i] = h[parent]
		d.pos[h[i]] = i
		i = parent
	}
	h[i] = v
	d.pos[v] = i
}

func (d *dijkstra) down(i int32) {
	h := d.heap
	n := int32(len(h))
	v := h[i]
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if c+1 < n && d.less(h[c+1], h[c]) {
			c++
		}
		if !d.less(h[c], v) {
			break
		}
		h[i] = h[c]
		d.pos[h[i]] = i
		i = c
	}
	h[i] = v
	d.pos[v] = i
}
