package dev.wafersim.fabric.wafer;

/** IEEE 754 binary16 conversions (Java 17 has none), round to nearest even. */
public final class Half {
    private Half() {
    }

    /** The float value of half-precision bits {@code h} (low 16 bits). */
    public static float toFloat(int h) {
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1F;
        int mant = h & 0x3FF;
        if (exp == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            // Subnormal: value = mant * 2^-24.
            float v = mant * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /** The half-precision bits of {@code f}, rounded to nearest even; overflow gives infinity. */
    public static int fromFloat(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = (bits >>> 23) & 0xFF;
        int mant = bits & 0x7FFFFF;
        if (exp == 0xFF) {
            return sign | 0x7C00 | (mant != 0 ? 0x200 : 0);
        }
        int e = exp - 127 + 15;
        if (e >= 0x1F) {
            return sign | 0x7C00;
        }
        if (e <= 0) {
            if (e < -10) {
                return sign;
            }
            mant |= 0x800000;
            int shift = 14 - e;
            int halfMant = mant >>> shift;
            int rem = mant & ((1 << shift) - 1);
            int halfway = 1 << (shift - 1);
            if (rem > halfway || (rem == halfway && (halfMant & 1) != 0)) {
                halfMant++;
            }
            return sign | halfMant;
        }
        int halfMant = mant >>> 13;
        int rem = mant & 0x1FFF;
        int r = sign | (e << 10) | halfMant;
        if (rem > 0x1000 || (rem == 0x1000 && (halfMant & 1) != 0)) {
            r++; // may carry into the exponent, which is the correct rounding
        }
        return r;
    }
}
