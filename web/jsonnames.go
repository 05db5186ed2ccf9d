package web

import (
	"encoding/json"
	"reflect"
	"strings"
	"sync"

	"weike/internal/apperr"
)

// encoding/json is lenient where the API document is not: of a key given
// twice the last one wins, and a key matches a field whatever its letter
// case ("LESSON_ID" sets lesson_id). A client relying on either would break
// on any stricter reader, and a proxy or a WAF that reads the first of two
// keys sees another request than weike does. So before decoding, checkNames
// walks the body beside the Go type it is decoded into and refuses a key
// given twice in one object and a key that names a field only in another
// letter case.

// checkNames reads one JSON value from dec and checks its object keys
// against t (nil: any value, checked for duplicates only).
func checkNames(dec *json.Decoder, t reflect.Type, path string) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	switch d {
	case '{':
		var names map[string]reflect.Type
		var elem reflect.Type
		if t != nil {
			switch t.Kind() {
			case reflect.Struct:
				names = jsonNames(t)
			case reflect.Map:
				elem = t.Elem()
			}
		}
		seen := map[string]bool{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return err
			}
			key, _ := kt.(string)
			if seen[key] {
				return apperr.New(apperr.BadRequest, "bad_json").Field(path+key, "field.duplicate")
			}
			seen[key] = true
			next := elem
			if names != nil {
				ft, ok := names[key]
				if !ok {
					// Unknown, or known in another letter case: either
					// way not a field of this object.
					return apperr.New(apperr.BadRequest, "bad_json").Field(path+key, "field.unknown")
				}
				next = ft
			}
			if err := checkNames(dec, next, path+key+"."); err != nil {
				return err
			}
		}
	case '[':
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		for i := 0; dec.More(); i++ {
			if err := checkNames(dec, elem, path); err != nil {
				return err
			}
		}
	}
	_, err = dec.Token() // the closing delimiter
	return err
}

var namesCache sync.Map // reflect.Type → map[string]reflect.Type

// jsonNames are the exact member names encoding/json decodes into struct
// type t, with their fields' types: tag names, else field names, embedded
// structs without a tag flattened into their parent as encoding/json does.
func jsonNames(t reflect.Type) map[string]reflect.Type {
	if m, ok := namesCache.Load(t); ok {
		return m.(map[string]reflect.Type)
	}
	m := map[string]reflect.Type{}
	addNames(t, m, 0)
	namesCache.Store(t, m)
	return m
}

func addNames(t reflect.Type, m map[string]reflect.Type, depth int) {
	if depth > 8 {
		return
	}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		ft := f.Type
		if f.Anonymous && name == "" {
			et := ft
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				addNames(et, m, depth+1)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if _, dup := m[name]; !dup {
			m[name] = ft
		}
	}
}

// strictNames checks body for v's type; a body that is not JSON at all is
// left to the decoder, which says where it breaks.
func strictNames(body []byte, v any) error {
	err := checkNames(json.NewDecoder(strings.NewReader(string(body))), reflect.TypeOf(v), "")
	if _, ok := apperr.As(err); ok {
		return err
	}
	return nil
}
