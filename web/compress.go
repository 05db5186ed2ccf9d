package web

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"io"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
	"github.com/labstack/echo/v4"
)

// Phones on a rural network pay for every byte: pages, JSON and scripts go
// out compressed when the client accepts it, brotli first (a fifth smaller
// than gzip on our pages), gzip else. Static files are compressed once per
// process and kept; dynamic answers are compressed as they are written,
// except tiny ones (the headers would outweigh the gain) and types that are
// compressed already (xlsx, png).

// minCompress is the smallest body worth compressing.
const minCompress = 1024

// compressible reports whether a Content-Type is worth compressing.
func compressible(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	switch {
	case strings.HasPrefix(mt, "text/"):
		return true
	case mt == "application/json", mt == "application/javascript", mt == "image/svg+xml",
		mt == "application/xml", strings.HasSuffix(mt, "+json"), strings.HasSuffix(mt, "+xml"):
		return true
	}
	return false
}

// Content codings weike sends.
const (
	codingBrotli = "br"
	codingGzip   = "gzip"
)

// acceptedCoding picks the coding of an Accept-Encoding header, honouring
// q-values: brotli when accepted at least as much as gzip, then gzip; ""
// for none.
func acceptedCoding(header string) string {
	q := map[string]float64{}
	star := -1.0
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		v := 1.0
		if k, val, ok := strings.Cut(strings.TrimSpace(params), "="); ok && strings.TrimSpace(k) == "q" {
			if f, err := strconv.ParseFloat(strings.TrimSpace(val), 64); err == nil {
				v = f
			}
		}
		if name == "*" {
			star = v
			continue
		}
		q[name] = v
	}
	get := func(c string) float64 {
		if v, ok := q[c]; ok {
			return v
		}
		if star >= 0 {
			return star
		}
		return 0
	}
	br, gz := get(codingBrotli), get(codingGzip)
	switch {
	case br > 0 && br >= gz:
		return codingBrotli
	case gz > 0:
		return codingGzip
	}
	return ""
}

// compress is the middleware of dynamic answers.
func compress(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		coding := acceptedCoding(r.Header.Get(echo.HeaderAcceptEncoding))
		if r.Method == http.MethodHead || strings.HasPrefix(r.URL.Path, "/static/") {
			return next(c)
		}
		res := c.Response()
		cw := &compressWriter{ResponseWriter: res.Writer, coding: coding}
		res.Writer = cw
		defer func() {
			res.Writer = cw.ResponseWriter
		}()
		err := next(c)
		if cerr := cw.Close(); err == nil {
			err = cerr
		}
		return err
	}
}

// compressWriter holds back the first minCompress bytes of an answer to
// decide, from its type and size, whether to compress it.
type compressWriter struct {
	http.ResponseWriter
	coding  string
	status  int
	buf     []byte
	decided bool
	enc     io.WriteCloser // nil: written as is
}

var brotliPool = sync.Pool{New: func() any { return brotli.NewWriterLevel(io.Discard, 5) }}
var gzipPool = sync.Pool{New: func() any { w, _ := gzip.NewWriterLevel(io.Discard, 6); return w }}

func (w *compressWriter) WriteHeader(code int) {
	if w.decided {
		w.ResponseWriter.WriteHeader(code)
		return
	}
	if w.status == 0 {
		w.status = code
	}
}

func (w *compressWriter) Write(p []byte) (int, error) {
	if !w.decided {
		w.buf = append(w.buf, p...)
		if len(w.buf) < minCompress {
			return len(p), nil
		}
		if err := w.decide(); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	if w.enc != nil {
		return w.enc.Write(p)
	}
	return w.ResponseWriter.Write(p)
}

// decide picks compression for what is buffered and writes it out.
func (w *compressWriter) decide() error {
	w.decided = true
	h := w.Header()
	status := w.status
	if status == 0 {
		status = http.StatusOK
	}
	ct := h.Get(echo.HeaderContentType)
	if ct == "" && len(w.buf) > 0 {
		ct = http.DetectContentType(w.buf)
		h.Set(echo.HeaderContentType, ct)
	}
	big := len(w.buf) >= minCompress && compressible(ct) && h.Get(echo.HeaderContentEncoding) == ""
	if big {
		// Whoever asks without a coding gets other bytes: a cache must
		// tell the two apart.
		h.Add(echo.HeaderVary, echo.HeaderAcceptEncoding)
	}
	if w.coding != "" && big && status != http.StatusNoContent && status != http.StatusNotModified && status >= 200 {
		h.Set(echo.HeaderContentEncoding, w.coding)
		h.Del(echo.HeaderContentLength)
		if etag := h.Get("ETag"); etag != "" && !strings.HasPrefix(etag, "W/") {
			// The bytes differ from the uncompressed answer's.
			h.Set("ETag", "W/"+etag)
		}
		switch w.coding {
		case codingBrotli:
			bw := brotliPool.Get().(*brotli.Writer)
			bw.Reset(w.ResponseWriter)
			w.enc = bw
		default:
			gw := gzipPool.Get().(*gzip.Writer)
			gw.Reset(w.ResponseWriter)
			w.enc = gw
		}
	}
	w.ResponseWriter.WriteHeader(status)
	buf := w.buf
	w.buf = nil
	if len(buf) == 0 {
		return nil
	}
	var err error
	if w.enc != nil {
		_, err = w.enc.Write(buf)
	} else {
		_, err = w.ResponseWriter.Write(buf)
	}
	return err
}

// Close writes what is held back and ends the compressed stream.
func (w *compressWriter) Close() error {
	if !w.decided {
		if w.status == 0 && len(w.buf) == 0 {
			// Nothing was written: let Echo's own answer (an error page)
			// go through unchanged.
			w.decided = true
			return nil
		}
		if err := w.decide(); err != nil {
			return err
		}
	}
	if w.enc == nil {
		return nil
	}
	err := w.enc.Close()
	switch e := w.enc.(type) {
	case *brotli.Writer:
		e.Reset(io.Discard)
		brotliPool.Put(e)
	case *gzip.Writer:
		e.Reset(io.Discard)
		gzipPool.Put(e)
	}
	w.enc = nil
	return err
}

// Flush sends what is ready, for answers that stream.
func (w *compressWriter) Flush() {
	if !w.decided {
		_ = w.decide()
	}
	if f, ok := w.enc.(interface{ Flush() error }); ok {
		_ = f.Flush()
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Hijack lets a handler take the connection over (none does today).
func (w *compressWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *compressWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// staticVariant is a static file compressed once, when first asked for.
type staticVariant struct {
	once sync.Once
	b    []byte
}

var staticCompressed sync.Map // "br:app.css" → *staticVariant

// compressedStatic returns name's bytes in coding, made on first need and
// kept for the life of the process (the files are embedded: they never
// change under it). Brotli at its best quality: it is paid once.
func compressedStatic(coding, name string, raw []byte) []byte {
	v, _ := staticCompressed.LoadOrStore(coding+":"+name, &staticVariant{})
	sv := v.(*staticVariant)
	sv.once.Do(func() {
		var buf bytes.Buffer
		var w io.WriteCloser
		if coding == codingBrotli {
			w = brotli.NewWriterLevel(&buf, brotli.BestCompression)
		} else {
			w, _ = gzip.NewWriterLevel(&buf, gzip.BestCompression)
		}
		_, _ = w.Write(raw)
		_ = w.Close()
		sv.b = buf.Bytes()
	})
	return sv.b
}
