# Extra host dependencies: images for `picoml predict` and the MNIST example
# (Boost.GIL, header-only, with libpng and zlib underneath).
find_package(Boost REQUIRED)
find_package(PNG REQUIRED)
target_link_libraries(picoml_host PUBLIC Boost::boost PNG::PNG)

# Audio: WAV reading for `picoml listen` and the audio tests (libsndfile).
find_package(PkgConfig REQUIRED)
pkg_check_modules(SNDFILE REQUIRED IMPORTED_TARGET sndfile)
target_link_libraries(picoml_host PUBLIC PkgConfig::SNDFILE)
