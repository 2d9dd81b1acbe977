/* version.h — the release of lrsweep: its one place.  `lrsweep --version`
 * and the version-skew message name it; CMakeLists.txt reads project()'s
 * VERSION from this line, so every build (the fuzz project too) agrees. */
#ifndef LRS_VERSION_H
#define LRS_VERSION_H

#define LRS_VERSION "0.3.0"

#endif
