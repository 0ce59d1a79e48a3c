# ANCHOR: python_caller_pybind
# python_caller_pybind.py
import pybind_example

input_data = [1.0, 2.0, 3.0, 4.0]
output_data = pybind_example.process_data(input_data)
print(f"Input: {input_data}")
print(f"Output: {output_data}")
# ANCHOR_END: python_caller_pybind
