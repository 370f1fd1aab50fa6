# How the third-party libraries are linked.
#
# By default the binary links the libraries Debian ships as static archives (OpenSSL, yaml-cpp,
# libnl, libcap-ng) from those archives, and spdlog and fmt header-only. Every shared library costs
# every start of the daemon (and of each `status` or `check-config`) an open, a mapping and its
# symbol relocations, and its relocated pages are memory of the process's own: libcrypto.so alone
# dirties 400 kB. Linked in, only what the daemon uses comes along. (libstdc++ stays shared:
# prometheus-cpp and simdjson, which Debian ships only as shared libraries, link it.)
# -DCIS_STATIC_DEPS=OFF links every library shared, as a distribution package would.
option(CIS_STATIC_DEPS "Link OpenSSL, yaml-cpp, libnl and libcap-ng statically, spdlog and fmt header-only" ON)

# FindOpenSSL reads this in every directory that looks for OpenSSL.
set(OPENSSL_USE_STATIC_LIBS ${CIS_STATIC_DEPS})

# cis_dependency(<name> <shared target> <archive>...): the interface target cis::<name>, which links
# the archives (in link order) with <shared target>'s include directories, or with
# CIS_STATIC_DEPS=OFF <shared target> itself.
function(cis_dependency name shared)
  add_library(cis_dependency_${name} INTERFACE)
  add_library(cis::${name} ALIAS cis_dependency_${name})
  if(NOT CIS_STATIC_DEPS)
    target_link_libraries(cis_dependency_${name} INTERFACE ${shared})
    return()
  endif()
  foreach(archive IN LISTS ARGN)
    string(MAKE_C_IDENTIFIER "CIS_ARCHIVE_${archive}" var)
    find_library(${var} NAMES ${archive} REQUIRED)
    target_link_libraries(cis_dependency_${name} INTERFACE ${${var}})
  endforeach()
  target_include_directories(cis_dependency_${name} INTERFACE
                             $<TARGET_PROPERTY:${shared},INTERFACE_INCLUDE_DIRECTORIES>)
endfunction()

find_package(PkgConfig REQUIRED)
find_package(yaml-cpp REQUIRED)
cis_dependency(yaml-cpp yaml-cpp libyaml-cpp.a)
pkg_check_modules(LIBNL REQUIRED IMPORTED_TARGET libnl-3.0 libnl-route-3.0)
cis_dependency(libnl PkgConfig::LIBNL libnl-route-3.a libnl-3.a)
pkg_check_modules(LIBCAPNG REQUIRED IMPORTED_TARGET libcap-ng)
cis_dependency(libcap-ng PkgConfig::LIBCAPNG libcap-ng.a)

find_package(spdlog REQUIRED)
add_library(cis_dependency_spdlog INTERFACE)
add_library(cis::spdlog ALIAS cis_dependency_spdlog)
if(CIS_STATIC_DEPS)
  # Not spdlog::spdlog_header_only, which still links libfmt.so.
  find_package(Threads REQUIRED)
  target_link_libraries(cis_dependency_spdlog INTERFACE Threads::Threads)
  target_include_directories(cis_dependency_spdlog INTERFACE
                             $<TARGET_PROPERTY:spdlog::spdlog_header_only,INTERFACE_INCLUDE_DIRECTORIES>)
  target_compile_definitions(cis_dependency_spdlog INTERFACE SPDLOG_FMT_EXTERNAL FMT_HEADER_ONLY)
else()
  target_link_libraries(cis_dependency_spdlog INTERFACE spdlog::spdlog)
endif()
