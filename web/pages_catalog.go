package web

import "github.com/labstack/echo/v4"

// catalogPageRoutes registers the catalog's pages (lessons, lecturers,
// films, branches, imports, account).
func (s *Server) catalogPageRoutes(g *echo.Group, official echo.MiddlewareFunc) {
}
