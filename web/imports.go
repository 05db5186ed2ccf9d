package web

import "github.com/labstack/echo/v4"

// importAPIRoutes registers the import endpoints under /api/v1.
func (s *Server) importAPIRoutes(g *echo.Group, official echo.MiddlewareFunc) {}

// importPageRoutes registers the import pages.
func (s *Server) importPageRoutes(g *echo.Group, official echo.MiddlewareFunc) {}
