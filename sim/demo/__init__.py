"""The classroom demo: the SolaraViz page, its drawing and the GIF/MP4 export."""
